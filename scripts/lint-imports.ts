// `npm run lint:imports [DIR]`: checks the import plan of the house (.dependency-cruiser.cjs) over
// the packages, the front doors and the agent of DIR (default: this repository). Prints each
// forbidden import with the rule it breaks and exits 1 if there is any.
//
// It calls dependency-cruiser's API instead of its `depcruise` command because the installed 18.x
// command refuses to start on Node 20 (its engines say ^22); the API itself runs fine on Node 20.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const repo = resolve(import.meta.dirname, "..");
const root = resolve(process.argv[2] ?? repo);
const options = await extractDepcruiseOptions(join(repo, ".dependency-cruiser.cjs"));
const tsConfig = extractTSConfig(join(repo, "tsconfig.json"));
const dirs = ["packages", "apps", "agent"].filter((dir) => existsSync(join(root, dir)));
const { output, exitCode } = await cruise(dirs, { ...options, baseDir: root, outputType: "err" }, {}, { tsConfig });
process.stdout.write(String(output));
process.exit(exitCode === 0 ? 0 : 1);

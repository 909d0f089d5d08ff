/**
 * A strict parser of Prometheus's text exposition format (version 0.0.4), written for the tests:
 * it refuses anything a Prometheus server would refuse, and checks what the format promises about
 * each metric type, so a test that parses /metrics proves the output is scrapeable.
 */

export type TMetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface TSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface TFamily {
  name: string;
  type: TMetricType;
  help: string | null;
  samples: TSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly string[] = ["counter", "gauge", "histogram", "summary", "untyped"];

export class ExpositionError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "ExpositionError";
  }
}

/** Parses the whole text; throws ExpositionError naming the first line at fault. */
export function parseExposition(text: string): Map<string, TFamily> {
  if (text.length > 0 && !text.endsWith("\n")) throw new ExpositionError(text.split("\n").length, "the text must end with a newline");
  const families = new Map<string, TFamily>();
  let current: TFamily | null = null;
  const closed = new Set<string>();
  const family = (name: string, line: number): TFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: "untyped", help: null, samples: [] };
      families.set(name, found);
    }
    if (current && current.name !== name) closed.add(current.name);
    if (closed.has(name)) throw new ExpositionError(line, `metric ${name} appears again after another metric: a family's lines must be together`);
    current = found;
    return found;
  };
  const lines = text.split("\n").slice(0, -1);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!meta) return; // any other comment
      const [, keyword, name = "", rest = ""] = meta;
      if (!METRIC_NAME.test(name)) throw new ExpositionError(line, `invalid metric name ${JSON.stringify(name)}`);
      const f = family(name, line);
      if (keyword === "HELP") {
        if (f.help !== null) throw new ExpositionError(line, `second HELP for ${name}`);
        f.help = unescape(rest, false, line);
      } else {
        if (!TYPES.includes(rest)) throw new ExpositionError(line, `unknown type ${JSON.stringify(rest)} for ${name}`);
        if (f.samples.length > 0 || f.type !== "untyped") throw new ExpositionError(line, `TYPE of ${name} must come once, before its samples`);
        f.type = rest as TMetricType;
      }
      return;
    }
    const sample = parseSample(raw, line);
    const base = familyOf(sample.name, families);
    family(base, line).samples.push(sample);
  });
  for (const f of families.values()) checkFamily(f);
  return families;
}

/** The family a sample belongs to: histograms and summaries own their _bucket/_sum/_count series. */
function familyOf(sampleName: string, families: Map<string, TFamily>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type === "histogram" || (type === "summary" && suffix !== "_bucket")) return base;
  }
  return sampleName;
}

function parseSample(raw: string, line: number): TSample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
  if (!head?.[1]) throw new ExpositionError(line, `a sample must start with a metric name: ${JSON.stringify(raw)}`);
  const name = head[1];
  let rest = raw.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = /^([^=]*)="/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1] ?? "")) throw new ExpositionError(line, `invalid label in ${JSON.stringify(raw)}`);
      const labelName = label[1] ?? "";
      if (labelName in labels) throw new ExpositionError(line, `label ${labelName} given twice`);
      rest = rest.slice(label[0].length);
      let value = "";
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new ExpositionError(line, `unterminated value of label ${labelName}`);
        if (char === '"') break;
        if (char === "\\") {
          value += rest.slice(0, 2);
          rest = rest.slice(2);
        } else {
          value += char;
          rest = rest.slice(1);
        }
      }
      labels[labelName] = unescape(value, true, line);
      rest = rest.slice(1);
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new ExpositionError(line, `expected , or } after label ${labelName}`);
    }
    rest = rest.slice(1);
  }
  const tail = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!tail?.[1]) throw new ExpositionError(line, `expected " value [timestamp]" after the labels in ${JSON.stringify(raw)}`);
  return { name, labels, value: parseValue(tail[1], line) };
}

function parseValue(text: string, line: number): number {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new ExpositionError(line, `invalid value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Label values escape \\, \" and \n; HELP text escapes \\ and \n. */
function unescape(text: string, quoted: boolean, line: number): string {
  return text.replace(/\\(.?)/g, (_, char: string) => {
    if (char === "\\") return "\\";
    if (char === "n") return "\n";
    if (char === '"' && quoted) return '"';
    throw new ExpositionError(line, `invalid escape \\${char}`);
  });
}

/** What each type promises: counters never negative; histogram buckets cumulative, ending at +Inf = _count. */
function checkFamily(f: TFamily): void {
  const where = (message: string) => new ExpositionError(0, `${f.name}: ${message}`);
  if (f.type === "counter" && f.samples.some((s) => !(s.value >= 0))) throw where("a counter is negative or NaN");
  if (f.type !== "histogram") return;
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw where("a bucket has no le label");
      entry.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
    else if (s.name === `${f.name}_sum`) entry.sum = s.value;
    else throw where(`unexpected series ${s.name}`);
  }
  for (const [key, entry] of series) {
    const last = entry.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw where(`series ${key} does not end with le="+Inf"`);
    if (entry.count === undefined || entry.sum === undefined) throw where(`series ${key} lacks _count or _sum`);
    if (last[1] !== entry.count) throw where(`series ${key}: the +Inf bucket (${last[1]}) is not _count (${entry.count})`);
    entry.buckets.forEach(([le, count], i) => {
      const before = entry.buckets[i - 1];
      if (before && (le <= before[0] || count < before[1])) throw where(`series ${key}: buckets are not increasing and cumulative at le=${le}`);
    });
  }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(families: Map<string, TFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}; name more labels`);
  return matches[0]?.value;
}

import { readFile } from "node:fs/promises";
import { CarveError } from "@carve/core";
import type { Command } from "commander";
import { table, type TOutput } from "../output.ts";
import { withClient } from "../session.ts";

/** `carve sshkey …`: the acting user's SSH public keys, injected into new cloud-init VMs. */
export function registerSshKeyCommands(program: Command, out: () => TOutput): void {
  const sshkey = program.command("sshkey").description("SSH public keys put into new VMs (cloud-init templates)");

  sshkey.command("add <name>").description("store a public key (ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa ≥ 2048 bits)")
    .option("--key <line>", "the public key line, e.g. \"ssh-ed25519 AAAA… me@laptop\"")
    .option("--file <path>", "read the public key from a file, e.g. ~/.ssh/id_ed25519.pub")
    .action(async (name: string, o: { key?: string; file?: string }) => {
      if ((o.key === undefined) === (o.file === undefined)) {
        throw new CarveError("INVALID_INPUT", "Give the key with exactly one of --key \"ssh-ed25519 AAAA…\" or --file ~/.ssh/id_ed25519.pub.", {
          fields: [{ field: "publicKey", message: "give exactly one of --key or --file" }],
        });
      }
      const publicKey = o.file === undefined ? (o.key ?? "") : await readKeyFile(o.file);
      await withClient(async (client) => {
        const added = await client.addSshKey({ name, publicKey });
        out().result(added, () => [`SSH key ${added.name} added (${added.fingerprint})`]);
      });
    });

  sshkey.command("list").description("your SSH keys").action(async () =>
    withClient(async (client) => {
      const keys = await client.listSshKeys();
      out().result(keys, () => table(["NAME", "TYPE", "FINGERPRINT", "ADDED"], keys.map((k) => [k.name, k.publicKey.split(" ")[0], k.fingerprint, new Date(k.createdAt).toISOString()])));
    }),
  );

  sshkey.command("remove <name>").description("remove one of your SSH keys (VMs made with it keep it)").action(async (name: string) =>
    withClient(async (client) => {
      const removed = await client.removeSshKey(name);
      out().result(removed, () => [`SSH key ${removed.name} removed (${removed.fingerprint})`]);
    }),
  );
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CarveError("INVALID_INPUT", `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give the path of your public key file (the .pub one).`, {
      fields: [{ field: "file", message: "cannot be read" }],
    });
  }
}

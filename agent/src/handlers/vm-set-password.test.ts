import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnrecoverableError } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { domainName, envelope, newJoinKeyPair, SEAL_PURPOSE_JOB_SECRET, SEAL_PURPOSE_JOIN, sealFor, type TJobName, type TJobPayload } from "@carve/protocol";
import { processJob } from "../jobs/process-job.ts";
import type { TJobServices } from "./index.ts";
import { FakeHypervisor, testJobServices } from "../testing/fake-hypervisor.ts";

const VM_ID = "0b1e6a62-3c36-4c2e-9a33-7a3bb0a8f0a1";
const JOB_ID = "9d7c6f0e-1a2b-4c3d-8e9f-001122334455";
const PASSWORD = "Sup3rSecretGeneratedPassw0rd";

let hypervisor: FakeHypervisor;
let deps: TJobServices;
let dataDir: string;

beforeEach(async () => {
  hypervisor = new FakeHypervisor();
  dataDir = mkdtempSync(join(tmpdir(), "carve-agent-guest-"));
  deps = testJobServices(hypervisor, dataDir);
  await hypervisor.defineDomain(domainName(VM_ID), { vmId: VM_ID, title: "t", vcpus: 1, memoryMiB: 64, rootDisk: { path: "/p/r.qcow2", format: "qcow2" } });
  await hypervisor.startDomain(domainName(VM_ID));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function run<N extends TJobName>(name: N, payload: TJobPayload<N>): Promise<unknown> {
  return processJob({ id: "1", name, data: envelope(name, JOB_ID, payload), updateProgress: async () => undefined }, deps);
}

const payloadFor = (recipient: string, purpose = SEAL_PURPOSE_JOB_SECRET): TJobPayload<"vm.set-password"> => ({
  vmId: VM_ID,
  user: "root",
  password: sealFor(recipient, PASSWORD, purpose),
});

describe("vm.set-password", () => {
  it("opens the password sealed to this host and sets it through the guest agent; the result does not carry it", async () => {
    const result = await run("vm.set-password", payloadFor(deps.hostKey.publicKey));
    expect(result).toEqual({ vmId: VM_ID, user: "root" });
    expect(hypervisor.passwords.get(`${domainName(VM_ID)}/root`)).toBe(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it("refuses a password sealed to another key, or sealed for another purpose, without retrying", async () => {
    for (const payload of [payloadFor(newJoinKeyPair().publicKey), payloadFor(deps.hostKey.publicKey, SEAL_PURPOSE_JOIN)]) {
      const failure = run("vm.set-password", payload);
      await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(failure).rejects.toThrow(/sealed to another key than this host's/);
    }
    expect(hypervisor.passwords.size).toBe(0);
  });

  it("fails for good, naming qemu-guest-agent, when the guest agent does not answer; the password is in no message", async () => {
    hypervisor.guestAgentMissing = true;
    const failure = run("vm.set-password", payloadFor(deps.hostKey.publicKey));
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/guest agent of carve-.* did not answer: its template must have qemu-guest-agent installed and running/);
    const message = await failure.catch((error: Error) => `${error.message}\n${error.stack ?? ""}`);
    expect(message).not.toContain(PASSWORD);
  });

  it("refuses a VM that is not running: the guest agent only answers in a running VM", async () => {
    await hypervisor.destroyDomain(domainName(VM_ID));
    await expect(run("vm.set-password", payloadFor(deps.hostKey.publicKey))).rejects.toThrow(/is stopped on this host: the guest agent only answers in a running VM/);
  });
});

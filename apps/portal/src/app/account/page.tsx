import { listApiKeys, listSshKeys } from "@carve/core";
import { RowAction } from "../../components/row-action.tsx";
import { portalCore } from "../../server/core.ts";
import { pageActor } from "../../server/page-actor.ts";
import { removeSshKeyAction, revokeApiKeyAction } from "./actions.ts";
import { ApiKeyForm } from "./api-key-form.tsx";
import { SshKeyForm } from "./ssh-key-form.tsx";

const when = (date: Date | null) => (date ? `${date.toISOString().replace("T", " ").slice(0, 16)} UTC` : "never");

/** The signed-in user's API keys and SSH public keys. */
export default async function AccountPage() {
  const actor = await pageActor();
  const [apiKeys, sshKeys] = await Promise.all([listApiKeys(portalCore(), actor), listSshKeys(portalCore(), actor)]);
  return (
    <>
      <h1>Account</h1>
      <section className="panel account" aria-labelledby="api-keys-heading">
        <h2 id="api-keys-heading">API keys</h2>
        <table aria-label="API keys">
          <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span className="muted">Actions</span></th></tr></thead>
          <tbody>
            {apiKeys.length === 0 && <tr><td colSpan={7} className="muted">No API keys yet.</td></tr>}
            {apiKeys.map((k) => (
              <tr key={k.id} data-api-key={k.name}>
                <td>{k.name}</td>
                <td><code>carve_{k.prefix}…</code></td>
                <td>{k.scope === "Write" ? "write" : "read"}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>{k.revokedAt ? `revoked ${when(k.revokedAt)}` : "active"}</td>
                <td>{!k.revokedAt && <RowAction action={revokeApiKeyAction.bind(null, k.id)} label="Revoke" accessibleName={`Revoke API key ${k.name}`} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Create an API key</h3>
        <ApiKeyForm />
      </section>
      <section className="panel account" aria-labelledby="ssh-keys-heading">
        <h2 id="ssh-keys-heading">SSH public keys</h2>
        <p className="muted">New VMs can be created with these keys installed for SSH logins.</p>
        <table aria-label="SSH keys">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Fingerprint</th><th scope="col">Added</th><th scope="col"><span className="muted">Actions</span></th></tr></thead>
          <tbody>
            {sshKeys.length === 0 && <tr><td colSpan={5} className="muted">No SSH keys yet.</td></tr>}
            {sshKeys.map((k) => (
              <tr key={k.id} data-ssh-key={k.name}>
                <td>{k.name}</td>
                <td>{k.publicKey.split(" ")[0]}</td>
                <td><code>{k.fingerprint}</code></td>
                <td>{when(k.createdAt)}</td>
                <td><RowAction action={removeSshKeyAction.bind(null, k.id)} label="Remove" accessibleName={`Remove SSH key ${k.name}`} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Add an SSH key</h3>
        <SshKeyForm />
      </section>
    </>
  );
}

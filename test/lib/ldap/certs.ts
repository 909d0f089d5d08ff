import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTool } from "./run-tool.ts";

export interface TTestPki {
  /** PEM of the CA that signed the server certificate. */
  caPem: string;
  /** PEM of an unrelated CA: trusting it instead must fail the TLS handshake. */
  wrongCaPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

async function selfSignedCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await runTool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", `/CN=Carve test ${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", key, "-out", cert]);
  return { cert, key };
}

/**
 * A throwaway PKI made with openssl: a CA, a server certificate for 127.0.0.1 and localhost
 * signed by it, and a second, unrelated CA (~50 ms with EC keys).
 */
export async function createTestPki(dir: string): Promise<TTestPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await selfSignedCa(dir, "ca");
  const wrong = await selfSignedCa(dir, "wrong-ca");
  const keyFile = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const certFile = join(dir, "server.crt");
  const ext = join(dir, "server.ext");
  await runTool("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", keyFile, "-out", csr]);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await runTool("openssl", ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", certFile]);
  return { caPem: readFileSync(ca.cert, "utf8"), wrongCaPem: readFileSync(wrong.cert, "utf8"), caFile: ca.cert, certFile, keyFile };
}

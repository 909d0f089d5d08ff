import { randomInt } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { TINY_HTTP_PORT, TINY_PROBE_PATH } from './tiny-image.ts';

/** What the tiny guest's listener said, or why the connection failed (refused, timed out, reset). */
export type TGuestAnswer = { ok: true; body: string } | { ok: false; error: string };

/**
 * `GET path` over a plain TCP connection to a tiny guest's busybox httpd (not fetch: fetch refuses
 * port 22, which is on the browsers' "bad ports" list). A filter that drops the packets shows as
 * a timeout, one that rejects them as ECONNREFUSED: both are `ok: false`.
 */
export function guestGet(ip: string, port: number, path = '/', timeoutMs = 3_000): Promise<TGuestAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    let response = '';
    const done = (answer: TGuestAnswer): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer from ${ip}:${port} within ${timeoutMs} ms` }));
    socket.on('connect', () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
    socket.on('error', (error) => done({ ok: false, error: `${ip}:${port}: ${error.message}` }));
    socket.on('end', () => {
      const [head = '', body = ''] = response.split(/\r?\n\r?\n/, 2);
      done(/^HTTP\/1\.\d 200/.test(head) ? { ok: true, body: body.trim() } : { ok: false, error: `${ip}:${port} answered ${head.split('\n')[0] ?? '(nothing)'}` });
    });
  });
}

export type TConnectOutcome = 'connected' | 'refused' | 'no answer' | `error ${string}`;

/**
 * Whether a TCP connection to `ip:port` is established within `timeoutMs`: `connected`, `refused`
 * (an RST: nothing listens, or a filter rejects), `no answer` (the SYN was dropped, as a
 * security-group filter does with traffic no rule lets in) or the socket's error code.
 */
export function tcpConnect(ip: string, port: number, timeoutMs = 3_000): Promise<TConnectOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const done = (outcome: TConnectOutcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done('no answer'));
    socket.on('connect', () => done('connected'));
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : `error ${error.code ?? error.message}`));
  });
}

/**
 * Asks the guest at `fromIp` (through its port TINY_HTTP_PORT) to GET `/` from `toIp:port` itself:
 * `OK <what the other guest said>` or `FAIL <target> <why>`, i.e. guest-to-guest traffic as the
 * filters let it through. Rejects when the host cannot reach `fromIp` at all.
 */
export async function probeFromGuest(fromIp: string, toIp: string, port: number): Promise<string> {
  const answer = await guestGet(fromIp, TINY_HTTP_PORT, `${TINY_PROBE_PATH}?${toIp}:${port}`, 10_000);
  if (!answer.ok) throw new Error(`cannot ask ${fromIp} to probe ${toIp}:${port}: ${answer.error}`);
  return answer.body;
}

/** The A records of `name` as the DNS server at `server` (a network's dnsmasq) answers; [] when it has none. */
export async function resolveAt(server: string, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  return resolver.resolve4(name).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTFOUND' || error.code === 'ENODATA') return [];
    throw error;
  });
}

/**
 * A /24 for a test network, picked at random inside 10.200.0.0–10.249.255.0 so that runs sharing
 * one libvirtd rarely collide (and inside the default company CIDR 10.0.0.0/8): the gateway .1,
 * Carve's range .10–.250.
 */
export function testSubnet(): { cidr: string; gateway: string; rangeStart: string; rangeEnd: string } {
  const base = `10.${200 + randomInt(50)}.${randomInt(256)}`;
  return { cidr: `${base}.0/24`, gateway: `${base}.1`, rangeStart: `${base}.10`, rangeEnd: `${base}.250` };
}

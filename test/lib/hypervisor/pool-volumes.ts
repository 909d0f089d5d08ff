import { copyFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirPool } from './libvirtd.ts';
import { SYSTEM_URI, virsh, virshMaybe } from './virsh.ts';

/**
 * Puts an existing image file into a directory pool as volume `volName` (a plain copy plus a
 * pool refresh: vol-upload would stream the same bytes through libvirtd more slowly).
 * Resolves with the volume's path.
 */
export async function importVolume(pool: DirPool, sourcePath: string, volName: string, uri: string = SYSTEM_URI): Promise<string> {
  const target = join(pool.path, volName);
  await copyFile(sourcePath, target);
  await chmod(target, 0o644);
  await virsh(uri, ['pool-refresh', pool.name]);
  return virsh(uri, ['vol-path', '--pool', pool.name, volName]);
}

/** Best-effort volume removal for cleanup paths. */
export async function deleteVolume(pool: DirPool, volName: string, uri: string = SYSTEM_URI): Promise<void> {
  await virshMaybe(uri, ['vol-delete', '--pool', pool.name, volName]);
}

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The monorepo root (this file lives in test/lib/hypervisor/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Git-ignored (`/var/` in .gitignore) home of everything the real-hypervisor tests create. */
export const E2E_VAR_DIR = join(REPO_ROOT, 'var');

/** Built tiny images, one folder per content key. */
export const TINY_IMAGE_CACHE_DIR = join(E2E_VAR_DIR, 'cache', 'tiny-image');

/** Parent of the per-run directory pools the tests define in libvirt. */
export const E2E_POOL_ROOT = join(E2E_VAR_DIR, 'e2e', 'pools');

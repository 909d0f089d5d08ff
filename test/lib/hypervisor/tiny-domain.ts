import { el, renderXml } from './xml.ts';

export interface TinyDomainSpec {
  name: string;
  uuid: string;
  /** qcow2 file holding the boot disk (typically an overlay backed by the tiny image). */
  diskPath: string;
  /** Where virtlogd writes everything the guest prints on its first serial port. */
  consoleLogPath: string;
  memoryMiB?: number;
  vcpus?: number;
}

/**
 * Domain XML for a tiny test guest under TCG (`type='qemu'`: this machine has no KVM). ACPI is
 * on because disk hotplug needs it; the serial port is logged to a file so tests can read it.
 * Stand-in until the agent's own domain builder boots the VM.
 */
export function tinyDomainXml(spec: TinyDomainSpec): string {
  const domain = el(
    'domain',
    { type: 'qemu' },
    el('name', {}, spec.name),
    el('uuid', {}, spec.uuid),
    el('memory', { unit: 'MiB' }, spec.memoryMiB ?? 256),
    el('vcpu', {}, spec.vcpus ?? 1),
    el('os', {}, el('type', { arch: 'x86_64' }, 'hvm'), el('boot', { dev: 'hd' })),
    el('features', {}, el('acpi')),
    el('clock', { offset: 'utc' }),
    el('on_poweroff', {}, 'destroy'),
    el('on_reboot', {}, 'restart'),
    el('on_crash', {}, 'destroy'),
    el(
      'devices',
      {},
      el(
        'disk',
        { type: 'file', device: 'disk' },
        el('driver', { name: 'qemu', type: 'qcow2' }),
        el('source', { file: spec.diskPath }),
        el('target', { dev: 'vda', bus: 'virtio' }),
      ),
      el('serial', { type: 'pty' }, el('log', { file: spec.consoleLogPath, append: 'off' }), el('target', { port: 0 })),
      el('console', { type: 'pty' }, el('target', { type: 'serial', port: 0 })),
      el('memballoon', { model: 'none' }),
    ),
  );
  return `${renderXml(domain)}\n`;
}

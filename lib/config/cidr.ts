/** IPv4 CIDR parsing (the config accepts IPv4 only). */

/**
 * Shortest prefix a public API access CIDR may have: /16 is 65,536 addresses, an office or VPN
 * range. Anything wider (0.0.0.0/1 + 128.0.0.0/1 is the whole internet) is refused by the config
 * check (lib/config/checks/platform.ts) and by the LlmdBenchEks-PublicEndpoint nag rule.
 */
export const MIN_PUBLIC_ACCESS_PREFIX = 16;
export interface Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((address & ~mask) >>> 0 !== 0) return undefined;
  return { address, prefix };
}

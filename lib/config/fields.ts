/** Small zod builders whose error messages say what is allowed. */
import { z } from 'zod';

// Integer fields say "integer" on every failure (a word, a fraction, a value out of range), so
// `-c key=abc` is answered with what the key takes, not just "must be a number".
const POSITIVE_INT = 'must be a positive integer (> 0)';
const NON_NEGATIVE_INT = 'must be an integer >= 0';
const TCP_PORT = 'must be a TCP port: an integer in 1-65535';

export const positiveInt = () =>
  z.number({ error: POSITIVE_INT }).int({ error: POSITIVE_INT }).positive({ error: POSITIVE_INT });

export const nonNegativeInt = () =>
  z.number({ error: NON_NEGATIVE_INT }).int({ error: NON_NEGATIVE_INT }).nonnegative({ error: NON_NEGATIVE_INT });

/** An integer in [min, max]; `unit` names what it counts (e.g. "GiB"). */
export const intBetween = (min: number, max: number, unit: string, why = '') => {
  const error = `must be an integer between ${min} and ${max} ${unit}${why ? ` (${why})` : ''}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

export const nonNegativeNumber = () =>
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must be a number >= 0' });

export const port = () =>
  z.number({ error: TCP_PORT }).int({ error: TCP_PORT }).min(1, { error: TCP_PORT }).max(65535, { error: TCP_PORT });

export const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const oneOfNumbers = (values: readonly number[]) =>
  z.number({ error: 'must be a number' }).refine((v) => values.includes(v), { error: `must be one of ${values.join(', ')}` });

/** A container image tag: pinned, never `latest`. */
export const imageTag = () =>
  z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: 'must be a valid image tag' })
    .refine((t) => t !== 'latest', { error: 'must be a pinned release tag, not "latest" (runs must be reproducible)' });

/** Kubernetes DNS-1123 label (names of namespaces, services, pools). */
export const dnsLabel = () =>
  z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    error: 'must be a DNS-1123 label: lower-case letters, digits and "-", 1-63 characters, starting and ending alphanumeric',
  });

/** An OCI image digest (`sha256:<64 hex>`); when set, the image is pulled by digest, not by tag. */
export const imageDigest = () =>
  z.string().regex(/^sha256:[a-f0-9]{64}$/, { error: 'must be an image digest sha256:<64 lower-case hex characters> (e.g. from `crane digest <image>:<tag>`)' });

/** Small zod builders whose error messages say what is allowed. */
import { z } from 'zod';

export const positiveInt = () =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).positive({ error: 'must be a positive integer (> 0)' });

export const nonNegativeInt = () =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).nonnegative({ error: 'must be an integer >= 0' });

export const nonNegativeNumber = () =>
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must be a number >= 0' });

export const port = () =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' })
    .min(1, { error: 'must be a TCP port in 1-65535' }).max(65535, { error: 'must be a TCP port in 1-65535' });

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

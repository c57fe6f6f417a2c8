import { z } from 'zod';
import { isProfileFile, ROUTER_PROFILE_NAMES } from '../tables/router-profiles';

const profileValue = () => z.string({ error: `must be ${ROUTER_PROFILE_NAMES.join(', ')} or a path to an EndpointPickerConfig file (.yaml/.yml/.json)` })
  .refine((v) => (ROUTER_PROFILE_NAMES as readonly string[]).includes(v) || isProfileFile(v), {
    error: `must be one of ${ROUTER_PROFILE_NAMES.join(', ')}, or a path to an EndpointPickerConfig file ending in .yaml, .yml or .json`,
  });

/**
 * Router profiles (lib/config/tables/router-profiles.ts). Spread into `routerSchema`; kept in its own
 * module because the rest of the router section belongs to the serving stack.
 */
export const routerProfileFields = {
  profile: profileValue().default('precise')
    .describe('The EPP\'s scheduler (the `llm-d` path): precise (KV-event prefix index), approximate (the EPP\'s own LRU index of routed prompts), load (KV-utilization + queue), random (random picker), or a file with your own EndpointPickerConfig.'),
  profiles: z.array(profileValue()).default(['precise'])
    .describe('Profiles deployed next to router.profile (one EndpointPickerConfig file each in the EPP ConfigMap); `run --target` measures any of them in turn by restarting the EPP on that file.'),
};

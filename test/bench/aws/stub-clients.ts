/**
 * Real AWS SDK v3 clients whose middleware answers every command with a recorded payload (or throws
 * a recorded error) before any credential lookup, signing or network: the adapters under test build
 * exactly the commands they would send, and the test sees each command's name and input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

export interface SentCommand {
  readonly client: string;
  readonly command: string;
  readonly input: Record<string, any>;
}

/** Answers a command: return the SDK output, or throw (an AWS error has a `name`). */
export type Responder = (command: string, input: Record<string, any>) => unknown;

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'aws');
export const recorded = (file: string): any => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));

/** An AWS service error as the SDK throws it. */
export function awsServiceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** Puts the stub in front of `client`'s middleware; every command goes to `respond` and is logged in `sent`. */
export function stub<T extends { middlewareStack: { add: (...a: any[]) => void } }>(name: string, client: T, respond: Responder, sent: SentCommand[]): T {
  client.middlewareStack.add((_next: unknown, context: { commandName: string }) => async (args: { input: Record<string, any> }) => {
    sent.push({ client: name, command: context.commandName, input: args.input });
    return { output: respond(context.commandName, args.input) };
  }, { step: 'initialize', name: 'recordedPayloadStub', priority: 'high' });
  return client;
}

/** `{ $metadata }` plus fields: the shape of an empty SDK answer. */
export const empty = (fields: Record<string, unknown> = {}) => ({ $metadata: { httpStatusCode: 200 }, ...fields });

/** EC2 after a complete destroy: no VPC, instance, address or volume; nothing VPC-scoped may be asked. */
export const destroyedEc2: Responder = (cmd) => {
  if (cmd === 'DescribeVpcsCommand') return empty({ Vpcs: [] });
  if (cmd === 'DescribeInstancesCommand') return empty({ Reservations: [] });
  if (cmd === 'DescribeAddressesCommand') return empty({ Addresses: [] });
  if (cmd === 'DescribeVolumesCommand') return empty({ Volumes: [] });
  throw new Error(`${cmd} must not be called without a VPC`);
};

/** CloudFormation when the stack does not exist (its ValidationError). */
export const noStack: Responder = (_c, input) => { throw awsServiceError('ValidationError', `Stack with id ${input.StackName} does not exist`); };

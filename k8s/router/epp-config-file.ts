/**
 * Reads an EndpointPickerConfig from a file, in any form a user has at hand: the bare config (YAML or
 * JSON), the EPP ConfigMap holding it, or a rendered multi-document manifest (`npm run render`'s
 * router chart, `kubectl get cm -o yaml`), from which the ConfigMap holding an EndpointPickerConfig is
 * picked. Every error names the option or key the file came from.
 */
import * as fs from 'fs';
import { parseAllDocuments, parse } from 'yaml';
import { EPP_CONFIG_FILE, type EndpointPickerConfig } from './endpoint-picker-config';

export class EppConfigFileError extends Error {}

/** Plain reasons for the read errors a user causes (the CLI words other path errors the same way). */
const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEndpointPickerConfig(v: unknown): v is EndpointPickerConfig {
  return isRecord(v) && Array.isArray(v.plugins) && Array.isArray(v.schedulingProfiles);
}

/** The EndpointPickerConfigs inside a ConfigMap, by data key. */
function configsInConfigMap(cm: Record<string, unknown>): Map<string, EndpointPickerConfig> {
  const out = new Map<string, EndpointPickerConfig>();
  for (const [key, text] of Object.entries(isRecord(cm.data) ? cm.data : {})) {
    if (typeof text !== 'string') continue;
    let value: unknown;
    try {
      value = parse(text);
    } catch {
      continue;
    }
    if (isEndpointPickerConfig(value)) out.set(key, value);
  }
  return out;
}

/**
 * The EndpointPickerConfig of `file`. `from` names where the path came from (`--epp-config`,
 * `router.profile`). A ConfigMap with several configs (one per deployed profile) yields the EPP's
 * default file, endpoint-picker-config.yaml.
 */
export function readEndpointPickerConfigFile(file: string, from: string): EndpointPickerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new EppConfigFileError(`${from} ${file}: cannot read it: ${READ_ERRORS[code] ?? (err as Error).message}`);
  }
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const bad = list.find((d) => d.errors.length > 0);
    if (bad) throw new Error(bad.errors[0].message.split('\n')[0]);
    docs = list.map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
  } catch (err) {
    throw new EppConfigFileError(`${from} ${file}: not YAML or JSON (${(err as Error).message})`);
  }
  const direct = docs.filter(isEndpointPickerConfig);
  if (direct.length === 1) return direct[0];
  const found = new Map<string, EndpointPickerConfig>();
  for (const doc of docs) {
    if (!isRecord(doc) || doc.kind !== 'ConfigMap') continue;
    const name = isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '?';
    for (const [key, cfg] of configsInConfigMap(doc)) found.set(`ConfigMap ${name}, key ${key}`, cfg);
  }
  if (direct.length > 1) {
    throw new EppConfigFileError(`${from} ${file}: holds ${direct.length} EndpointPickerConfig documents; keep the one to use`);
  }
  if (found.size === 0) {
    throw new EppConfigFileError(`${from} ${file}: no EndpointPickerConfig in it (need a document with plugins and schedulingProfiles, or a ConfigMap holding one)`);
  }
  if (found.size === 1) return [...found.values()][0];
  const main = [...found.entries()].filter(([where]) => where.endsWith(`key ${EPP_CONFIG_FILE}`));
  if (main.length === 1) return main[0][1];
  throw new EppConfigFileError(`${from} ${file}: holds several EndpointPickerConfigs (${[...found.keys()].join('; ')}); extract the one to use`);
}

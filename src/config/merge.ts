/**
 * The override policy, documented in docs/configuration.md: a service's `environments.<env>` block
 * is merged into the service file key by key. Mappings merge recursively; lists and scalars replace
 * the base value whole (so `deployment.alarms: []` clears the alarms in that environment).
 */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (override === undefined || override === null) return base;
  if (!isMapping(base) || !isMapping(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverride(base[key], value);
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * An API the endpoint does not offer: an emulator without the action (moto answers `NotImplemented`,
 * test/moto/server.py patch 17), or an unknown action. The verify checks report those as
 * "not checked", never as a problem.
 */
const NOT_IMPLEMENTED = new Set([
  'NotImplemented',
  'NotImplementedException',
  'InvalidAction',
  'UnknownOperationException',
  'UnsupportedOperation',
]);

export function isNotImplemented(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return NOT_IMPLEMENTED.has(e.name ?? '') || NOT_IMPLEMENTED.has(e.Code ?? '') || e.$metadata?.httpStatusCode === 501;
}

/** The error's name and first line, for a "not checked" reason. */
export function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? '').split('\n')[0]}`.trim();
}

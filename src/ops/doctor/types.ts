// Findings of `gym-agent doctor`. A problem fails the run (exit 1); a warning is printed but passes;
// skipped says why a check did not run (offline, no key, nothing to check).

export type Status = 'ok' | 'warn' | 'problem' | 'skipped';
export type Section = 'config' | 'providers' | 'voices' | 'audio' | 'dsp' | 'database' | 'public-url';

export interface Finding {
  section: Section;
  name: string;
  status: Status;
  detail: string;
}

export const finding = (section: Section, name: string, status: Status, detail: string): Finding => ({
  section,
  name,
  status,
  detail,
});

/** The subset of fetch the online checks use; tests and the CLI both pass globalThis.fetch. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Why a request failed, in words an operator can act on (TLS problems get their own hint). */
export function describeFetchError(e: unknown): string {
  const err = e as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string; errors?: { code?: string }[] };
  };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time';
  // undici wraps the socket error in `cause`; "localhost" may yield an AggregateError (IPv4 + IPv6 attempts).
  const code = err.cause?.code ?? err.cause?.errors?.find((x) => x.code)?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return `TLS certificate not trusted (${code}): still on the Let's Encrypt staging issuer, or the certificate is not issued yet? See docs/operations.md "Bad certificates"`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code})`;
  if (code) return `${code}: ${err.cause?.message ?? err.message ?? ''}`.trim();
  if (err.cause?.message) return `${err.message ?? 'request failed'}: ${err.cause.message}`;
  return err.message ?? String(e);
}

import { ApiError } from "../api/client";

/** Shows what went wrong, with the server's error code: failures are never swallowed. */
export function ErrorBanner({ error, context }: { error: unknown; context?: string }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.code}${error.status ? `, HTTP ${error.status}` : ""})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div class="error-banner" role="alert">
      {context ? <strong>{context}: </strong> : null}
      {text}
    </div>
  );
}

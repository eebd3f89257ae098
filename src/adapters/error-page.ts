import type { LoginError } from '../errors/login-error.js';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]!);
}

/** A minimal, self-contained error page: the public message and the error number, nothing else. */
export function errorPage(error: LoginError): string {
  const message = escapeHtml(error.message);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Sign-in failed</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body><h1>Sign-in failed</h1><p>${message}</p><p>Error <code data-error-number>${error.number}</code> <code data-error-code>${escapeHtml(error.code)}</code></p></body>
</html>`;
}

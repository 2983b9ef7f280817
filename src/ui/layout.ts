import { html, type SafeHtml } from './html.ts';

/** Where the stylesheet is served: our own origin, so the CSP needs no 'unsafe-inline' and no CDN. */
export const STYLESHEET_PATH = '/ui/assets/style.css';

/**
 * No script at all, styles and images from our own origin only, forms posting back to us, never framed: a page
 * that shows text from alerts and clusters cannot be made to run anything, and works without the internet.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface PageFrame {
  title: string;
  /** The signed-in viewer, shown with a sign-out button (none on the sign-in error pages). */
  viewer?: string;
  /** Sign-out is a form only with OIDC sessions (behind a proxy, the proxy signs out). */
  signOut?: boolean;
}

export function page(frame: PageFrame, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${frame.title} · incident-bot audit</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header class="top">
  <a class="brand" href="/ui/incidents">incident-bot · audit</a>
  ${
    frame.viewer &&
    html`<span class="who">signed in as <strong>${frame.viewer}</strong>${
      frame.signOut &&
      html` <form method="post" action="/ui/sign-out" class="inline"><button type="submit">Sign out</button></form>`
    }</span>`
  }
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export const STYLESHEET = `
:root { --ok: #1a7f37; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; }
header.top { display: flex; justify-content: space-between; align-items: center; padding: 10px 24px;
  background: #24292f; color: #fff; }
header.top a.brand { color: #fff; font-weight: 600; text-decoration: none; }
header.top .who { color: #d0d7de; }
header.top button { margin-left: 8px; }
main { padding: 16px 24px 48px; max-width: 1280px; }
h1 { font-size: 22px; margin: 8px 0 12px; }
h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.muted { color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; background: var(--bg);
  padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form.inline { display: inline; }
input, select, button { font: inherit; padding: 3px 6px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid var(--line);
  background: var(--bg); }
.integrity { border: 2px solid var(--ok); border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
.integrity.ok h2 { color: var(--ok); border: 0; margin: 0 0 4px; }
.integrity.failed { border-color: var(--bad); }
.integrity.failed h2 { color: var(--bad); border: 0; margin: 0 0 4px; }
tr.problem td { background: #ffebe9; }
.problem-kind { color: var(--bad); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
pre { background: var(--bg); border: 1px solid var(--line); padding: 8px; overflow-x: auto; font-size: 12px; }
.links a { margin-right: 14px; }
.error { color: var(--bad); font-weight: 600; }
`;

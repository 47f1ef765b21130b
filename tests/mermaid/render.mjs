// Render Mermaid diagrams with the real mermaid library in headless Chromium.
//
// Usage: node render.mjs DIAGRAMS.json
//   DIAGRAMS.json maps name -> Mermaid source.
//   stdout: a JSON object name -> null (rendered) or an error message string.
//   exit 0 when every diagram was attempted (even if some failed to render);
//   exit 2 on a harness failure (bad input, browser did not start, global timeout).
//
// Environment:
//   CHROMIUM_PATH              browser binary (default /usr/bin/chromium)
//   MERMAID_DIAGRAM_TIMEOUT_MS per-diagram limit (default 20000)
//   MERMAID_GLOBAL_TIMEOUT_MS  limit for the whole run (default 180000)
//   MERMAID_SVG_DIR            if set, write each rendered SVG there (for debugging)
//   MERMAID_PACKAGES_DIR       where package.json's packages are installed (default: here)

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const PACKAGES_DIR = process.env.MERMAID_PACKAGES_DIR;
const require = createRequire(
  PACKAGES_DIR ? join(PACKAGES_DIR, "package.json") : import.meta.url,
);
const { chromium } = require("playwright-core");
const MERMAID_JS = require.resolve("mermaid/dist/mermaid.min.js");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const DIAGRAM_TIMEOUT_MS = Number(process.env.MERMAID_DIAGRAM_TIMEOUT_MS || 20000);
const GLOBAL_TIMEOUT_MS = Number(process.env.MERMAID_GLOBAL_TIMEOUT_MS || 180000);
const SVG_DIR = process.env.MERMAID_SVG_DIR || "";

// The network is closed on CI: keep Chromium from phoning home and stalling.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

const PAGE_HTML = '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>';

function fail(message) {
  process.stderr.write(`render.mjs: ${message}\n`);
  process.exit(2);
}

function loadDiagrams(path) {
  let data;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    fail(`cannot read diagrams from ${path}: ${err.message}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    fail("input must be a JSON object mapping name -> mermaid source");
  }
  for (const [name, src] of Object.entries(data)) {
    if (typeof src !== "string") fail(`diagram ${JSON.stringify(name)} is not a string`);
  }
  return data;
}

async function openPage(context) {
  const page = await context.newPage();
  await page.setContent(PAGE_HTML);
  await page.addScriptTag({ path: MERMAID_JS });
  await page.evaluate(() => {
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      suppressErrorRendering: true,
      logLevel: "fatal",
    });
  });
  return page;
}

// Runs in the page: full render (parse + layout + SVG), returns { error, svg }.
async function renderInPage([id, source]) {
  try {
    const { svg } = await window.mermaid.render(id, source);
    if (/Syntax error in text/.test(svg)) return { error: "mermaid rendered an error diagram", svg };
    return { error: null, svg };
  } catch (err) {
    const message = err?.message ?? err?.str ?? String(err);
    return { error: String(message).trim() || "unknown mermaid error", svg: null };
  } finally {
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const inputPath = process.argv[2];
  if (!inputPath) fail("usage: node render.mjs DIAGRAMS.json");
  const diagrams = loadDiagrams(inputPath);
  if (SVG_DIR) mkdirSync(SVG_DIR, { recursive: true });
  const results = Object.fromEntries(Object.keys(diagrams).map((k) => [k, "not rendered"]));

  const userDataDir = mkdtempSync(join(tmpdir(), "schemadoc-mermaid-"));
  let context;
  const cleanup = async () => {
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };

  const globalTimer = setTimeout(() => {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    process.stderr.write(`render.mjs: global timeout after ${GLOBAL_TIMEOUT_MS} ms\n`);
    rmSync(userDataDir, { recursive: true, force: true });
    process.exit(2);
  }, GLOBAL_TIMEOUT_MS);

  try {
    // launchPersistentContext is Playwright's way to pass our own fresh --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      offline: true,
      timeout: 60000,
    });
    let page = await openPage(context);
    let index = 0;
    for (const [name, source] of Object.entries(diagrams)) {
      const id = `mermaid-${index++}`;
      try {
        const { error, svg } = await withTimeout(
          page.evaluate(renderInPage, [id, source]),
          DIAGRAM_TIMEOUT_MS,
          "render",
        );
        results[name] = error;
        if (SVG_DIR && svg) {
          const safe = name.replace(/[^\w.-]+/g, "_").slice(0, 80);
          writeFileSync(join(SVG_DIR, `${index - 1}-${safe}.svg`), svg);
        }
      } catch (err) {
        // A hung or crashed page: record the error and continue on a fresh page.
        results[name] = err.message;
        page.close({ runBeforeUnload: false }).catch(() => {});
        page = await openPage(context);
      }
    }
  } catch (err) {
    await cleanup();
    fail(`browser error: ${err.message}`);
  }
  await cleanup();
  clearTimeout(globalTimer);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();

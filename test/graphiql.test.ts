import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

// Debian's package; `.ci/run` installs it.
const CHROMIUM = "/usr/bin/chromium";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.prisma.user.create({ data: { projectId: server.projectId, id: "ada", name: "Ada Lovelace" } });
});
afterAll(() => server.close());

test("the GraphiQL page loads nothing from another host", async () => {
  const response = await server.yoga.fetch("http://localhost/graphql", { headers: { accept: "text/html" } });
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain("renderYogaGraphiQL");
  // No script, stylesheet, icon or CSS import from a URL: everything is inline or a data: URI.
  expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
  expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/i);
});

test("GraphiQL opens in a real browser cut off from every other host, and runs a query", async (context) => {
  context.skip(!existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install -y chromium)`);
  const http = createHttpServer(server.yoga);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const profile = await mkdtemp(join(tmpdir(), "graphiql-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  try {
    const page = await browser.newPage();
    // As on a host without internet access: anything not from the gateway (or inline) fails.
    const elsewhere: string[] = [];
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      const url = request.url();
      if (url.startsWith(`${origin}/`) || /^(data|blob):/.test(url)) return void request.continue();
      elsewhere.push(url);
      void request.abort("internetdisconnected");
    });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));

    const query = '{ user(id: "ada") { id name } }';
    await page.goto(`${origin}/graphql?query=${encodeURIComponent(query)}`, { waitUntil: "load", timeout: 30_000 });
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .monaco-editor", { timeout: 30_000 });
    expect(await page.title()).toBe("User directory");

    // Replace the placeholder key in the Headers tab (open, as GraphiQL is given headers) with a real one.
    await page.click(".graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor");
    await page.keyboard.down("Control");
    await page.keyboard.press("KeyA");
    await page.keyboard.up("Control");
    await page.keyboard.press("Backspace");
    await page.keyboard.type(`{"Authorization": "Bearer ${server.secretKey}"`);
    await page.click(".graphiql-execute-button");
    const result = await page.waitForFunction(
      () => {
        // Monaco renders spaces as no-break spaces.
        const text = (document.querySelector(".graphiql-response")?.textContent ?? "").replace(/\u00a0/g, " ");
        return text.includes("Ada Lovelace") || text.includes("errors") ? text : false;
      },
      { timeout: 30_000 },
    );
    expect(await result.jsonValue()).toContain("Ada Lovelace");
    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
  } finally {
    await browser.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await rm(profile, { recursive: true, force: true });
  }
}, 120_000);

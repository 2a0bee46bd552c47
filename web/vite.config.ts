import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The build lands inside the Python package so `pip install epochal` users never need Node;
// server/webui.py serves index.html and /assets from there.
const outDir = fileURLToPath(new URL("../src/epochal/server/webui", import.meta.url));

export default defineConfig({
  base: "/",
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 300 },
  // `npm run dev` talks to a running `epochal server` (default port 8765).
  server: { proxy: { "/api": process.env.EPOCHAL_BASE_URL ?? "http://127.0.0.1:8765" } },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});

import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

import { antdCss } from "./build/antdCss.ts";

// Tauri serves the built files from ui/dist; in development it opens http://localhost:1420.
export default defineConfig({
  base: "./",
  plugins: [react(), antdCss()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}", "build/**/*.test.ts"],
    css: false,
    // Test files share their worker's modules (Ant Design, React, i18n) instead of importing
    // them again per file, which took most of the suite's time; src/test/setup.ts resets what a
    // test changes (the DOM, the backend mocks, local storage, the language).
    isolate: false,
    testTimeout: 60000,
  },
});

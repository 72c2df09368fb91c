// Copies GOV.UK Frontend's compiled files into static/govuk/ (committed, so the
// app runs without npm). Asset URLs are rewritten to where Django serves them.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const src = "node_modules/govuk-frontend/dist/govuk";
const dest = "static/govuk";
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
cpSync(`${src}/assets/images`, `${dest}/assets/images`, { recursive: true });
cpSync(`${src}/assets/manifest.json`, `${dest}/assets/manifest.json`);
cpSync(`${src}/govuk-frontend.min.js`, `${dest}/govuk-frontend.min.js`);
const css = readFileSync(`${src}/govuk-frontend.min.css`, "utf8")
  .replaceAll("/assets/", "/static/govuk/assets/")
  .replace(/\/\*# sourceMappingURL=.*?\*\//, "")
  // GDS Transport is licensed for GOV.UK services only: a local authority's
  // service uses the Design System with Arial instead.
  .replace(/@font-face\{[^}]*\}/g, "")
  .replaceAll(/"?GDS Transport"?,/g, "");
writeFileSync(`${dest}/govuk-frontend.min.css`, css);
console.log(`GOV.UK Frontend copied to ${dest}`);

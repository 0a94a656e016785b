// Copy only the distribution files Bastion serves into static_build/ (git-ignored).
// Intranet deployments have no CDN: every asset is served by Bastion itself. The source maps the
// minified Tabler files name come along: collectstatic's hashed storage follows every reference
// a CSS or JS file makes, and fails on one that points at nothing.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "static_build/vendor";
const files = [
  ["node_modules/@tabler/core/dist/css/tabler.min.css", "tabler/tabler.min.css"],
  ["node_modules/@tabler/core/dist/css/tabler.min.css.map", "tabler/tabler.min.css.map"],
  ["node_modules/@tabler/core/dist/js/tabler.min.js", "tabler/tabler.min.js"],
  ["node_modules/@tabler/core/dist/js/tabler.min.js.map", "tabler/tabler.min.js.map"],
  ["node_modules/@tabler/icons-webfont/dist/tabler-icons.min.css", "tabler-icons/tabler-icons.min.css"],
  ["node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff2", "tabler-icons/fonts/tabler-icons.woff2"],
  ["node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.woff", "tabler-icons/fonts/tabler-icons.woff"],
  ["node_modules/@tabler/icons-webfont/dist/fonts/tabler-icons.ttf", "tabler-icons/fonts/tabler-icons.ttf"],
  ["node_modules/echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of files) {
  const target = `${out}/${to}`;
  mkdirSync(target.substring(0, target.lastIndexOf("/")), { recursive: true });
  cpSync(from, target);
}
console.log(`copied ${files.length} asset files to ${out}`);

#!/usr/bin/env bash
# Re-vendor the front-end libraries from the npm registry into src/novasaas/static/vendor.
# The result is committed, so running the app never needs Node or the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts 2>/dev/null || npm install --no-audit --no-fund --ignore-scripts
dest=src/novasaas/static/vendor
rm -rf "$dest" && mkdir -p "$dest"/bootstrap "$dest"/bootstrap-icons/fonts "$dest"/htmx "$dest"/chartjs "$dest"/datepicker "$dest"/tom-select "$dest"/sortablejs "$dest"/frappe-gantt
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest"/bootstrap/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest"/bootstrap/
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest"/bootstrap-icons/
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest"/bootstrap-icons/fonts/
cp node_modules/htmx.org/dist/htmx.min.js "$dest"/htmx/
cp node_modules/chart.js/dist/chart.umd.min.js "$dest"/chartjs/ 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.js "$dest"/chartjs/chart.umd.min.js
# Date picker (dd/mm/yyyy, Vietnamese and English) and searchable pickers (ARIA combobox).
cp node_modules/vanillajs-datepicker/dist/js/datepicker-full.min.js node_modules/vanillajs-datepicker/dist/js/locales/vi.js "$dest"/datepicker/
cp node_modules/vanillajs-datepicker/dist/css/datepicker-bs5.min.css "$dest"/datepicker/
cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css "$dest"/tom-select/
# Kanban drag and drop (projects board) and the Gantt chart (projects timeline).
cp node_modules/sortablejs/Sortable.min.js "$dest"/sortablejs/
cp node_modules/frappe-gantt/dist/frappe-gantt.umd.js node_modules/frappe-gantt/dist/frappe-gantt.css "$dest"/frappe-gantt/
for pkg in bootstrap bootstrap-icons htmx.org chart.js vanillajs-datepicker tom-select sortablejs frappe-gantt; do
  node -e "const p=require('./node_modules/$pkg/package.json');console.log(p.name+' '+p.version+' '+(p.license||''))"
done > "$dest"/VERSIONS.txt
echo "vendored into $dest:"; cat "$dest"/VERSIONS.txt

// Upload images one after another to POST /v1/quantify; a table of all of them, and the chosen one's overlay
// (or original), summary and nucleus table.
const COLUMNS = ["id", "area", "centroid_x", "centroid_y", "circularity", "dab_od_mean", "positive", "intensity_bin"];
const analysed = []; // { name, original (object URL), result }
let current = null;
let showingOriginal = false;

function fixed(value, digits) {
  return typeof value === "number" ? value.toFixed(digits) : "–";
}

function toCsv(rows) {
  if (!rows.length) return "";
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const quote = (value) => (/[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value ?? ""));
  return [fields.join(","), ...rows.map((row) => fields.map((f) => quote(row[f])).join(","))].join("\n") + "\n";
}

function showTable(rows) {
  const table = document.getElementById("nuclei");
  const head = document.createElement("tr");
  const columns = COLUMNS.filter((column) => rows.length === 0 || column in rows[0]);
  columns.forEach((column) => cell(head, column, "th"));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(
    ...rows.map((nucleus) => {
      const row = document.createElement("tr");
      columns.forEach((column) => cell(row, typeof nucleus[column] === "number" && !Number.isInteger(nucleus[column]) ? nucleus[column].toFixed(3) : nucleus[column]));
      return row;
    })
  );
}

function marker(result) {
  return markerName(result.profile.name);
}

function lowCountNote(result) {
  const needed = result.profile.min_nuclei;
  return result.summary.low_count
    ? `Only ${result.summary.nuclei} nuclei: an index is usually read on at least ${needed} nuclei, so this one is ` +
      "uncertain. Analyse more fields of the same case to reach that count."
    : "";
}

function stem(item) {
  return item.name.replace(/\.[^.]+$/, "");
}

function show(item) {
  current = item;
  showingOriginal = false;
  const { result } = item;
  const s = result.summary;
  document.getElementById("shown-name").textContent = item.name;
  document.getElementById("count").textContent = s.nuclei;
  document.getElementById("positive").textContent = s.positive ?? "–";
  document.getElementById("negative").textContent = s.negative ?? "–";
  document.getElementById("index-name").textContent = `${marker(result)} index`;
  document.getElementById("ki67").textContent = typeof s.ki67_index === "number" ? s.ki67_index.toFixed(1) + " %" : "–";
  document.getElementById("hscore").textContent = fixed(s.h_score, 0);
  document.getElementById("allred").textContent = s.allred_total ?? "–";
  document.getElementById("low-count").textContent = lowCountNote(result);
  document.getElementById("input-warnings").textContent = (result.warnings || []).length
    ? "This image differs from the images the model was trained on: " + result.warnings.join(" ")
    : "";
  document.getElementById("index-note").textContent = s.index_note || "";
  const overlay = "data:image/png;base64," + result.overlay_png;
  document.getElementById("overlay").src = overlay;
  document.getElementById("toggle-view").textContent = "Show the original";
  Object.assign(document.getElementById("download-overlay"), { href: overlay, download: `${stem(item)}_overlay.png` });
  Object.assign(document.getElementById("download-mask"), { href: "data:image/png;base64," + result.mask_png, download: `${stem(item)}_mask.png` });
  showTable(result.nuclei);
  document.getElementById("analysis").hidden = false;
}

function addRow(item) {
  const { result } = item;
  const s = result.summary;
  const row = document.querySelector("#images tbody").insertRow();
  row.tabIndex = 0;
  cell(row, item.name);
  cell(row, s.nuclei);
  cell(row, s.positive ?? "–");
  cell(row, s.negative ?? "–");
  cell(row, typeof s.ki67_index === "number" ? s.ki67_index.toFixed(1) + " %" : "–");
  cell(row, fixed(s.h_score, 0));
  cell(row, s.allred_total ?? "–");
  cell(row, [s.low_count ? "few nuclei" : "", (result.warnings || []).length ? "unlike training images" : ""].filter(Boolean).join("; "));
  row.addEventListener("click", () => show(item));
  document.getElementById("index-head").textContent = `${marker(result)} index`;
  document.getElementById("images-section").hidden = false;
}

async function analyse(form, file, number, total) {
  document.getElementById("busy-text").textContent = `analysing ${number} of ${total}: ${file.name}`;
  const params = new URLSearchParams({ profile: form.profile.value, images: "true" });
  if (form.pixel_size.value) params.set("pixel_size", form.pixel_size.value);
  const body = new FormData();
  body.append("file", file);
  const response = await api(`/v1/quantify?${params}`, { method: "POST", body });
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) return false;
    const error = document.getElementById("analyse-error");
    error.textContent += `${file.name}: ${await problemText(response)} `;
    return true;
  }
  const item = { name: file.name, original: URL.createObjectURL(file), result: await response.json() };
  analysed.push(item);
  addRow(item);
  if (number === 1) show(item);
  return true;
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("analyse-form");
  document.getElementById("download-csv").addEventListener("click", (event) => {
    event.preventDefault();
    if (current) download(`${stem(current)}_nuclei.csv`, new Blob([toCsv(current.result.nuclei)], { type: "text/csv" }));
  });
  document.getElementById("toggle-view").addEventListener("click", () => {
    if (!current) return;
    showingOriginal = !showingOriginal;
    document.getElementById("overlay").src = showingOriginal ? current.original : "data:image/png;base64," + current.result.overlay_png;
    document.getElementById("toggle-view").textContent = showingOriginal ? "Show the nuclei" : "Show the original";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("analyse-error").textContent = "";
    const files = [...form.file.files];
    if (!files.length) return;
    const button = document.getElementById("analyse");
    const busy = document.getElementById("busy");
    button.disabled = true;
    busy.hidden = false;
    try {
      for (const [index, file] of files.entries()) {
        if (!(await analyse(form, file, index + 1, files.length))) break;
      }
    } finally {
      button.disabled = false;
      busy.hidden = true;
    }
  });
});

// Upload an image to POST /v1/quantify and show the overlay, the summary and the nucleus table.
const COLUMNS = ["id", "area", "centroid_x", "centroid_y", "circularity", "dab_od_mean", "positive", "intensity_bin"];
let nuclei = [];
let stem = "image";

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

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("analyse-form");
  const error = document.getElementById("analyse-error");
  document.getElementById("download-csv").addEventListener("click", (event) => {
    event.preventDefault();
    download(`${stem}_nuclei.csv`, new Blob([toCsv(nuclei)], { type: "text/csv" }));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const file = form.file.files[0];
    if (!file) return;
    const params = new URLSearchParams({ profile: form.profile.value, images: "true" });
    if (form.pixel_size.value) params.set("pixel_size", form.pixel_size.value);
    const body = new FormData();
    body.append("file", file);
    const button = document.getElementById("analyse");
    button.disabled = true;
    try {
      const response = await api(`/v1/quantify?${params}`, { method: "POST", body });
      if (!response.ok) {
        if (response.status !== 401 && response.status !== 403) error.textContent = await problemText(response);
        return;
      }
      const result = await response.json();
      stem = file.name.replace(/\.[^.]+$/, "");
      nuclei = result.nuclei;
      const summary = result.summary;
      document.getElementById("count").textContent = summary.nuclei;
      document.getElementById("positive").textContent = summary.positive ?? "–";
      document.getElementById("ki67").textContent = typeof summary.ki67_index === "number" ? summary.ki67_index.toFixed(1) + " %" : "–";
      document.getElementById("hscore").textContent = fixed(summary.h_score, 0);
      document.getElementById("input-warnings").textContent = (result.warnings || []).join(" ");
      document.getElementById("index-note").textContent = summary.index_note || "";
      document.getElementById("low-count").textContent = summary.low_count ? `fewer than ${result.profile.min_nuclei} nuclei: count more fields` : "";
      const overlay = "data:image/png;base64," + result.overlay_png;
      document.getElementById("overlay").src = overlay;
      Object.assign(document.getElementById("download-overlay"), { href: overlay, download: `${stem}_overlay.png` });
      Object.assign(document.getElementById("download-mask"), { href: "data:image/png;base64," + result.mask_png, download: `${stem}_mask.png` });
      showTable(nuclei);
      document.getElementById("analysis").hidden = false;
    } finally {
      button.disabled = false;
    }
  });
});

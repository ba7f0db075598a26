// Slide jobs (start, follow, cancel) and the slide viewer: Deep Zoom tiles, overlays, the hot spot, nuclei.
const POSITIVE = "rgb(200, 60, 20)";
const NEGATIVE = "rgb(30, 90, 230)";
const NUCLEI_BELOW_PX = 4000; // nuclei are drawn when the view spans fewer slide pixels than this
let shown = null; // { job, viewer, overlays: {}, nuclei: [], region }
let polling = null;

function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function number(value, digits = 1) {
  return value === null || value === undefined ? "n/a" : Number(value).toFixed(digits);
}

async function loadSlides() {
  const response = await api("/v1/slides");
  const select = document.getElementById("slide");
  if (!response.ok) {
    document.getElementById("job-message").textContent = await problemText(response);
    return;
  }
  const { slides } = await response.json();
  select.innerHTML = "";
  for (const slide of slides) select.add(new Option(slide, slide));
}

async function startJob(event) {
  event.preventDefault();
  const message = document.getElementById("job-message");
  message.textContent = "";
  const profile = document.getElementById("profile").value;
  const mpp = document.getElementById("mpp").value;
  const file = document.getElementById("upload").files[0];
  const button = document.getElementById("start");
  button.disabled = true;
  let response;
  if (file) { // streamed as the request body
    message.textContent = `uploading ${file.name}…`;
    const query = new URLSearchParams({ name: file.name, profile, ...(mpp ? { mpp } : {}) });
    response = await api(`/v1/jobs/upload?${query}`, { method: "POST", body: file });
  } else {
    const body = { slide: document.getElementById("slide").value, profile, ...(mpp ? { mpp: Number(mpp) } : {}) };
    response = await api("/v1/jobs", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
  }
  button.disabled = false;
  message.textContent = response.ok ? "" : await problemText(response);
  if (response.ok) document.getElementById("upload").value = "";
  await refreshJobs();
}

async function refreshJobs() {
  const response = await api("/v1/jobs");
  if (!response.ok) return;
  const jobs = await response.json();
  const body = document.querySelector("#jobs tbody");
  body.innerHTML = "";
  for (const job of jobs) {
    const row = body.insertRow();
    row.dataset.job = job.id;
    row.dataset.state = job.state;
    cell(row, job.slide);
    cell(row, markerName(job.profile));
    cell(row, job.error ? `${job.state}: ${job.error}` : job.state);
    const progress = row.insertCell();
    const bar = document.createElement("progress");
    bar.max = job.tiles_total || 1;
    bar.value = job.tiles_done;
    progress.append(bar, ` ${job.tiles_done} / ${job.tiles_total ?? "?"} tiles`);
    cell(row, job.tiles_per_second ? `${job.tiles_per_second.toFixed(2)} tiles/s` : "");
    cell(row, job.state === "running" ? formatSeconds(job.seconds_left) : "");
    const actions = row.insertCell();
    if (job.state === "done") {
      const view = document.createElement("button");
      view.type = "button";
      view.textContent = "View";
      view.className = "view";
      view.addEventListener("click", () => openViewer(job));
      actions.appendChild(view);
    } else if (job.state === "queued" || job.state === "running") {
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = "Cancel";
      cancel.className = "cancel";
      cancel.addEventListener("click", async () => {
        await api(`/v1/jobs/${job.id}`, { method: "DELETE" });
        refreshJobs();
      });
      actions.appendChild(cancel);
    }
  }
  const active = jobs.some((job) => job.state === "queued" || job.state === "running");
  clearTimeout(polling);
  if (active) polling = setTimeout(refreshJobs, 1000);
}

async function blobUrl(path) {
  const response = await api(path);
  return response.ok ? URL.createObjectURL(await response.blob()) : null;
}

function showFigures(job) {
  const s = job.result.summary;
  const hot = job.result.hotspot;
  const marker = markerName(job.profile);
  const figures = [
    ["nuclei", s.nuclei], ["positive", s.positive], ["negative", s.negative],
    [`${marker} index`, `${number(s.ki67_index)}%`], ["H-score", number(s.h_score, 0)],
    ["Allred", s.allred_total ?? "n/a"], ["hot spot index", hot ? `${number(hot.index)}%` : "none"],
    ["per mm²", number(s.density_per_mm2, 0)],
  ];
  const box = document.getElementById("figures");
  box.innerHTML = "";
  for (const [name, value] of figures) {
    const item = document.createElement("div");
    const strong = document.createElement("b");
    strong.textContent = value;
    item.append(strong, name);
    box.appendChild(item);
  }
  document.getElementById("goto-hotspot").disabled = !hot;
}

async function openViewer(job) {
  if (shown) shown.viewer.destroy();
  document.getElementById("viewer-section").hidden = false;
  document.getElementById("viewer-title").textContent = job.slide;
  document.getElementById("nucleus").hidden = true;
  showFigures(job);
  const token = localStorage.getItem(TOKEN_KEY);
  const viewer = OpenSeadragon({
    element: document.getElementById("viewer"),
    prefixUrl: "vendor/openseadragon/images/",
    tileSources: `/v1/jobs/${job.id}/slide.dzi`,
    loadTilesWithAjax: true,
    ajaxHeaders: token ? { Authorization: "Bearer " + token } : {},
    showNavigator: true,
    gestureSettingsMouse: { clickToZoom: false },
    maxZoomPixelRatio: 4,
  });
  shown = { job, viewer, overlays: {}, nuclei: [], region: null };
  window.unetopsViewer = shown; // for tests and the curious
  viewer.addOnceHandler("open", () => {
    updateOverlays();
    viewer.addHandler("animation-finish", loadNuclei);
  });
  viewer.addHandler("canvas-click", (event) => {
    if (!event.quick) return;
    const point = viewer.viewport.viewerElementToImageCoordinates(event.position);
    showNucleus(nucleusAt(point.x, point.y));
  });
}

async function imageOverlay(name) {
  const { viewer, overlays } = shown;
  if (overlays[name]) return;
  // a transparent layer; results made before there were layers have only the picture on the thumbnail
  const layer = (shown.job.files || []).includes(`overlays/${name}.png`);
  const url = await blobUrl(`/v1/jobs/${shown.job.id}/files/${layer ? "overlays/" : ""}${name}.png`);
  if (!url) return;
  overlays[name] = "loading";
  viewer.addTiledImage({
    tileSource: { type: "image", url }, x: 0, y: 0, width: 1, opacity: layer ? 1 : 0.55,
    success: (added) => { overlays[name] = added.item; },
  });
}

function removeOverlay(name) {
  const item = shown.overlays[name];
  if (item && item !== "loading") shown.viewer.world.removeItem(item);
  delete shown.overlays[name];
}

function updateOverlays() {
  if (!shown) return;
  for (const name of ["tissue", "heatmap"]) {
    if (document.getElementById(`show-${name}`).checked) imageOverlay(name);
    else removeOverlay(name);
  }
  const hot = shown.job.result.hotspot;
  const box = document.getElementById("hotspot-box");
  if (box) shown.viewer.removeOverlay(box);
  if (hot && document.getElementById("show-hotspot").checked) {
    const element = document.createElement("div");
    element.id = "hotspot-box";
    element.className = "hotspot-box";
    const rect = shown.viewer.viewport.imageToViewportRectangle(hot.x, hot.y, hot.width, hot.height);
    shown.viewer.addOverlay({ element, location: rect });
  }
  drawNuclei();
}

function gotoHotspot() {
  const hot = shown && shown.job.result.hotspot;
  if (!hot) return;
  const rect = shown.viewer.viewport.imageToViewportRectangle(hot.x, hot.y, hot.width, hot.height);
  shown.viewer.viewport.fitBounds(rect);
}

function visibleRegion() {
  const bounds = shown.viewer.viewport.viewportToImageRectangle(shown.viewer.viewport.getBounds());
  return { x: Math.max(0, bounds.x), y: Math.max(0, bounds.y), width: bounds.width, height: bounds.height };
}

async function loadNuclei() {
  const status = document.getElementById("nuclei-status");
  const region = visibleRegion();
  if (Math.max(region.width, region.height) > NUCLEI_BELOW_PX) {
    shown.nuclei = [];
    drawNuclei();
    status.textContent = "Zoom in to see the nuclei.";
    return;
  }
  const query = new URLSearchParams(Object.entries(region).map(([k, v]) => [k, Math.round(v)]));
  const response = await api(`/v1/jobs/${shown.job.id}/nuclei?${query}`);
  if (!response.ok) return;
  const found = await response.json();
  shown.nuclei = found.nuclei;
  shown.region = region;
  status.textContent = `${found.nuclei.length} nuclei in view${found.truncated ? " (the first ones)" : ""}; click one.`;
  drawNuclei();
}

function drawNuclei() {
  const old = document.getElementById("nuclei-layer");
  if (old) shown.viewer.removeOverlay(old);
  if (!shown.region || !shown.nuclei.length || !document.getElementById("show-nuclei").checked) return;
  const { x, y, width, height } = shown.region;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.id = "nuclei-layer";
  svg.setAttribute("viewBox", `${x} ${y} ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.style.pointerEvents = "none";
  for (const nucleus of shown.nuclei) {
    const outline = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
    outline.setAttribute("points", nucleus.contour.map((p) => p.join(",")).join(" "));
    outline.setAttribute("fill", "none");
    outline.setAttribute("stroke", nucleus.positive ? POSITIVE : NEGATIVE);
    outline.setAttribute("stroke-width", "2");
    outline.setAttribute("vector-effect", "non-scaling-stroke");
    outline.dataset.id = nucleus.id;
    svg.appendChild(outline);
  }
  shown.viewer.addOverlay({ element: svg, location: shown.viewer.viewport.imageToViewportRectangle(x, y, width, height) });
}

function inside(point, polygon) {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if ((yi > point[1]) !== (yj > point[1]) && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

function nucleusAt(x, y) {
  return shown.nuclei.find((nucleus) => inside([x, y], nucleus.contour)) || null;
}

function showNucleus(nucleus) {
  const table = document.getElementById("nucleus");
  table.hidden = !nucleus;
  if (!nucleus) return;
  const body = table.tBodies[0];
  body.innerHTML = "";
  const rows = [
    ["nucleus", `#${nucleus.id}`], ["class", nucleus.positive ? "positive" : "negative"],
    ["intensity", `${nucleus.intensity_bin}+`], ["area", `${number(nucleus.area_um2)} µm²`],
    ["perimeter", `${number(nucleus.perimeter_um)} µm`], ["circularity", number(nucleus.circularity, 2)],
    ["solidity", number(nucleus.solidity, 2)], ["DAB OD", number(nucleus.dab_od_mean, 3)],
    ["hematoxylin OD", number(nucleus.hematoxylin_od_mean, 3)],
  ];
  for (const [name, value] of rows) {
    const row = body.insertRow();
    cell(row, name, "th");
    cell(row, value);
  }
}

async function downloadFile(event) {
  event.preventDefault();
  const file = event.target.dataset.file;
  const path = file === "summary.csv" ? `/v1/jobs/${shown.job.id}/summary.csv` : `/v1/jobs/${shown.job.id}/files/${file}`;
  const response = await api(path);
  if (response.ok) download(file, await response.blob());
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("job-form").addEventListener("submit", startJob);
  document.getElementById("goto-hotspot").addEventListener("click", gotoHotspot);
  for (const input of document.querySelectorAll("#overlays input")) input.addEventListener("change", updateOverlays);
  for (const link of document.querySelectorAll(".downloads a")) link.addEventListener("click", downloadFile);
  const load = () => { loadSlides(); refreshJobs(); };
  document.addEventListener("unetops-token", load);
  load();
});

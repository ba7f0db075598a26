// Shared by every page: the header, the API token (asked once, kept in this browser) and a fetch helper.
const TOKEN_KEY = "unetops-token";
const MARKERS = { ki67: "Ki-67", er: "ER", pr: "PR", her2: "HER2" }; // how a marker profile is named on a page

const PAGES = [
  ["/ui/index.html", "Dataset spec"],
  ["/ui/analyse.html", "Analyse images"],
  ["/ui/slides.html", "Slides"],
  ["/ui/models.html", "Models"],
  ["/docs", "API"],
];

function renderHeader() {
  const header = document.getElementById("site-header");
  const links = PAGES.map(([href, text]) => {
    const current = location.pathname === href || (href === "/ui/index.html" && location.pathname === "/ui/");
    return `<a href="${href}"${current ? ' aria-current="page"' : ""}>${text}</a>`;
  }).join("");
  header.innerHTML = `<strong>unetops</strong><nav>${links}</nav>
    <form id="token-bar" hidden><span id="token-message"></span>
      <input id="token-input" type="password" placeholder="API token" aria-label="API token" autocomplete="off">
      <button type="submit" id="token-save">Save token</button></form>`;
}

function showTokenBar(message) {
  const bar = document.getElementById("token-bar");
  bar.hidden = false;
  document.getElementById("token-message").textContent = message || "";
}

function saveToken(event) {
  event.preventDefault();
  const value = document.getElementById("token-input").value.trim();
  if (!value) return;
  localStorage.setItem(TOKEN_KEY, value);
  document.getElementById("token-bar").hidden = true;
  document.dispatchEvent(new Event("unetops-token"));
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.set("Authorization", "Bearer " + token);
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 || response.status === 403) {
    localStorage.removeItem(TOKEN_KEY);
    showTokenBar(response.status === 401 ? "This service needs an API token." : "That token was not accepted.");
  }
  return response;
}

async function problemText(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch (error) {
    return response.status + " " + response.statusText;
  }
}

function download(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

function cell(row, text, tag = "td") {
  const element = document.createElement(tag);
  element.textContent = text;
  row.appendChild(element);
}

document.addEventListener("DOMContentLoaded", () => {
  renderHeader();
  document.getElementById("token-bar").addEventListener("submit", saveToken);
  if (!localStorage.getItem(TOKEN_KEY)) showTokenBar("Enter the API token once; this browser keeps it.");
});

function markerName(profile) {
  return MARKERS[profile] || profile;
}

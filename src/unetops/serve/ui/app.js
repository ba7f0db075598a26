// Shared by every page: the API token (asked once, kept in this browser) and a fetch helper.
const TOKEN_KEY = "unetops-token";

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
  document.getElementById("token-bar").addEventListener("submit", saveToken);
  if (!localStorage.getItem(TOKEN_KEY)) showTokenBar("Enter the API token once; this browser keeps it.");
});

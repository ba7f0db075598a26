// The served model, its input drift, and the registry's versions, aliases and metrics.
function metricsText(metrics) {
  return Object.entries(metrics || {})
    .filter(([, value]) => typeof value === "number")
    .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(3)}`)
    .join(", ");
}

async function load() {
  const response = await api("/v1/models");
  if (!response.ok) return;
  const { served, follows, registry } = await response.json();
  const facts = [
    ["reference", served.reference], ["registry version", served.version], ["serving since", served.since],
    ["dataset version", served.dataset_version], ["colour model", served.color_model], ["threshold", served.threshold],
    ["sha256", served.sha256.slice(0, 16)], ["metrics", metricsText(served.metrics)],
  ];
  if (follows) {
    facts.push(["follows", `${follows.alias} (last checked ${follows.checked || "not yet"})`]);
    if (follows.error) facts.push(["last reload failed", follows.error]);
  }
  const served_rows = facts.filter(([, value]) => value !== null && value !== undefined).map(([name, value]) => {
    const row = document.createElement("tr");
    cell(row, name, "th");
    cell(row, value);
    return row;
  });
  document.querySelector("#served tbody").replaceChildren(...served_rows);
  document.getElementById("registry-note").textContent = registry.available ? "" : registry.reason;
  const rows = registry.models.flatMap((model) =>
    model.versions.map((version) => {
      const row = document.createElement("tr");
      [model.name, version.version, version.aliases.join(", "), version.dataset_version || "", version.user || "", metricsText(version.metrics)].forEach((text) => cell(row, text));
      return row;
    })
  );
  document.querySelector("#registry tbody").replaceChildren(...rows);
  const drift = await (await api("/v1/drift")).json();
  document.getElementById("drift").textContent =
    drift.score === null ? "No images analysed yet." : `Score ${drift.score.toFixed(2)} over the last ${drift.images_in_window} images (0 = like the training data; above 1, the inputs differ).`;
}

document.addEventListener("DOMContentLoaded", load);
document.addEventListener("unetops-token", load);

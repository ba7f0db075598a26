// The dataset-parameters form: the original form's fields, validated by POST /v1/specs/validate.
const FIELD_OF = { mask_keyword: "description", layout: "separate_file_format" };
let lastSpec = null;

function formJson(form) {
  const data = {
    width: form.width.value.trim(),
    height: form.height.value.trim(),
    image_type: form.image_type.value,
    color_model: form.color_model.value,
    description: form.description.value,
  };
  if (form.separate_file_format.checked) data.separate_file_format = "on";
  return data;
}

function showProblems(form, problems) {
  form.querySelectorAll(".error[data-for]").forEach((span) => (span.textContent = ""));
  const others = document.getElementById("other-problems");
  others.replaceChildren();
  for (const problem of problems) {
    const [field, ...rest] = problem.split(": ");
    const span = form.querySelector(`.error[data-for="${FIELD_OF[field] || field}"]`);
    if (span && rest.length) span.textContent = rest.join(": ");
    else others.appendChild(Object.assign(document.createElement("li"), { textContent: problem }));
  }
}

function browserProblems(form) {
  const problems = [];
  for (const name of ["width", "height", "description"]) {
    const input = form[name];
    if (!input.checkValidity()) problems.push(`${name}: ${input.validationMessage}`);
  }
  return problems;
}

function saveSpec() {
  download("dataset-spec.json", new Blob([JSON.stringify(lastSpec, null, 2) + "\n"], { type: "application/json" }));
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("spec-form");
  form.querySelectorAll("input").forEach((input) =>
    input.addEventListener("input", () => showProblems(form, browserProblems(form)))
  );
  document.getElementById("download-again").addEventListener("click", saveSpec);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("result").hidden = true;
    const local = browserProblems(form);
    showProblems(form, local);
    if (local.length) return;
    const response = await api("/v1/specs/validate", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(formJson(form)),
    });
    if (response.ok) {
      lastSpec = (await response.json()).spec;
      document.getElementById("spec-json").textContent = JSON.stringify(lastSpec, null, 2);
      document.getElementById("result").hidden = false;
      saveSpec();
    } else if (response.status === 422) {
      const body = await response.json();
      showProblems(form, body.problems || body.errors || [body.detail]);
    } else if (response.status !== 401 && response.status !== 403) {
      showProblems(form, [await problemText(response)]);
    }
  });
});

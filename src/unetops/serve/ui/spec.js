// The dataset-parameters form: the original form's fields, validated by POST /v1/specs/validate.
const FIELD_OF = { mask_keyword: "description", layout: "separate_file_format" };
const SPLIT_FIELDS = ["split_train", "split_val", "split_test", "seed"];
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
  data.resize = form.resize.value;
  data.split = { train: Number(form.split_train.value), val: Number(form.split_val.value), test: Number(form.split_test.value) };
  data.seed = Number(form.seed.value);
  if (form.group_pattern.value.trim()) data.group_pattern = form.group_pattern.value.trim();
  if (form.pixel_size_um.value) data.pixel_size_um = Number(form.pixel_size_um.value);
  data.preprocess = [...form.querySelectorAll("input[name=op]:checked")].map((box) => ({ op: box.value }));
  return data;
}

function groupWarning(form) {
  document.getElementById("group-warning").textContent = form.group_pattern.value.trim()
    ? ""
    : "Without a group pattern each image is split on its own: tiles of one slide or patient can land in both " +
      "train and test, and the test scores come out too good.";
}

function showProblems(form, problems) {
  form.querySelectorAll(".error[data-for]").forEach((span) => (span.textContent = ""));
  const others = document.getElementById("other-problems");
  others.replaceChildren();
  for (const problem of problems) {
    const [field, ...rest] = problem.split(": ");
    const name = field.startsWith("split") ? "split" : field.split(".")[0];
    const span = form.querySelector(`.error[data-for="${FIELD_OF[name] || name}"]`);
    if (span && rest.length) span.textContent = rest.join(": ");
    else others.appendChild(Object.assign(document.createElement("li"), { textContent: problem }));
  }
}

function browserProblems(form) {
  const problems = [];
  for (const name of ["width", "height", "description", "pixel_size_um", ...SPLIT_FIELDS]) {
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
    input.addEventListener("input", () => {
      showProblems(form, browserProblems(form));
      groupWarning(form);
    })
  );
  groupWarning(form);
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

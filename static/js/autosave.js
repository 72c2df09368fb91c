// Autosave for long drafts (notes of visit, case studies). Progressive enhancement: without
// JavaScript the form's own "Save" button does the same. Every save sends the revision the
// page holds; the server refuses an older one (409) and we stop autosaving and say why,
// rather than overwrite what was saved in another tab. What is valid is always stored: the
// server names each field it could not store, and the problem is shown beside that field
// at once (and again when the page is reopened).
import { saveAnnouncer } from "./announce.js";

const form = document.querySelector("form[data-autosave-url]");

if (form) {
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-autosave-status]");
  const revision = form.querySelector("input[name='revision']");
  const DELAY = 1500;
  // Per-field conflicts (case studies, notes of visit): each save also sends what the page showed for
  // every field ("base:<name>"), so the server checks each field on its own: two people
  // writing different sections both save; the same section gives a 409 with theirs.
  const perField = form.hasAttribute("data-autosave-per-field");
  const valuesOf = () => {
    const values = new Map();
    for (const [name, value] of new FormData(form).entries()) {
      if (!(value instanceof File) && name !== "csrfmiddlewaretoken") values.set(name, value);
    }
    return values;
  };
  // A unit's base starts as what the server says the page shows ("seen_<name>", set after
  // a conflict), else the field's own value.
  const startingBases = () => {
    const values = valuesOf();
    for (const name of values.keys()) {
      const seen = form.elements.namedItem(`seen_${name}`);
      if (seen && seen.type === "hidden") values.set(name, seen.value);
    }
    return values;
  };
  let bases = perField ? startingBases() : new Map();
  let timer = null;
  let saving = false;
  let again = false;
  let stopped = false;

  // Hidden fields the server keeps up to date (what the page now shows of a unit).
  const setFields = (values) => {
    for (const [name, value] of Object.entries(values || {})) {
      // A date is three inputs (day, month, year): the problem goes beside the first.
      const field = form.elements.namedItem(name) || form.elements.namedItem(`${name}_0`);
      if (field && field.type === "hidden") field.value = value;
    }
  };

  const say = saveAnnouncer(status, "kqm-autosave--problem");

  // Mark each field the server could not store, beside it; clear the ones now fine.
  const markProblems = (problems) => {
    form.querySelectorAll("[data-autosave-error]").forEach((message) => {
      const group = message.closest(".govuk-form-group");
      if (group && !(message.dataset.autosaveError in problems)) {
        group.classList.remove("govuk-form-group--error");
        message.remove();
      }
    });
    for (const [name, text] of Object.entries(problems)) {
      // A date is three inputs (day, month, year): the problem goes beside the first.
      const field = form.elements.namedItem(name) || form.elements.namedItem(`${name}_0`);
      const element = field && (field.length && !field.tagName ? field[0] : field);
      const group = element && element.closest(".govuk-form-group");
      if (!group) continue;
      let message = group.querySelector(`[data-autosave-error="${name}"]`);
      if (!message) {
        message = document.createElement("p");
        message.className = "govuk-error-message";
        message.dataset.autosaveError = name;
        message.id = `${name}-autosave-error`;
        const label = group.querySelector("label, legend, h2");
        (label && label.parentNode === group ? label : group.firstElementChild).after(message);
        element.setAttribute(
          "aria-describedby",
          `${element.getAttribute("aria-describedby") || ""} ${message.id}`.trim(),
        );
      }
      message.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
      message.append(document.createTextNode(text));
      group.classList.add("govuk-form-group--error");
    }
  };

  const save = async () => {
    if (stopped) return;
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    const body = new FormData(form);
    for (const [name, value] of [...body.entries()]) {
      if (value instanceof File) body.delete(name);
    }
    const sent = perField ? valuesOf() : new Map();
    for (const [name, value] of bases) body.append(`base:${name}`, value);
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const result = await response.json();
      if (response.ok && result.saved) {
        revision.value = result.revision;
        if (perField) bases = sent;
        setFields(result.set);
        const problems = result.problems || {};
        markProblems(problems);
        const count = Object.keys(problems).length;
        say(
          count
            ? `Saved at ${result.saved_at}, except ${count === 1 ? "one field" : `${count} fields`}: see the ${count === 1 ? "message" : "messages"} beside ${count === 1 ? "it" : "them"}.`
            : `Saved at ${result.saved_at}.`,
          { problem: count > 0 },
        );
      } else if (response.status === 409 && result.fields) {
        // Someone else changed these fields: show their text beside each; ours stays.
        const problems = {};
        for (const [name, theirs] of Object.entries(result.fields)) {
          bases.set(name, theirs.value);
          problems[name] = `${theirs.by} changed this meanwhile to: “${theirs.text}”. Your text is kept here; save again to replace theirs.`;
        }
        markProblems(problems);
        setFields(result.set);
        say(result.message, { alert: true });
      } else if (response.status === 409) {
        stopped = true;
        say(result.message, { alert: true });
      } else {
        say(result.message || "Not saved automatically. Use the save button.", { alert: true });
      }
    } catch (error) {
      say("Not saved automatically: check your connection, then use the save button.", {
        alert: true,
      });
    }
    saving = false;
    if (again) {
      again = false;
      save();
    }
  };

  const later = () => {
    if (stopped) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // Choices that depend on another field: a score list offers only the focus child's
  // scores (each option names its child). A score already chosen stays chosen, so a
  // mismatch is shown beside it rather than silently dropped.
  const focus = form.elements.namedItem("focus_child");
  const dependents = [...form.querySelectorAll("select")].filter((select) =>
    select.querySelector("option[data-child]"),
  );
  const filterScores = () => {
    const child = focus ? focus.value : "";
    for (const select of dependents) {
      for (const option of select.options) {
        if (!option.dataset.child) continue;
        const other = Boolean(child) && option.dataset.child !== child;
        option.hidden = other && !option.selected;
      }
    }
  };
  if (focus && dependents.length) {
    filterScores();
    focus.addEventListener("change", filterScores);
  }
  form.addEventListener("submit", () => {
    window.clearTimeout(timer);
    stopped = true;
  });
}

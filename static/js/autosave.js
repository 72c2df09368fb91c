// Autosave for long drafts (notes of visit, case studies). Progressive enhancement: without
// JavaScript the form's own "Save" button does the same. Every save sends the revision the
// page holds; the server refuses an older one (409) and we stop autosaving and say why,
// rather than overwrite what was saved in another tab.
const form = document.querySelector("form[data-autosave-url]");

if (form) {
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-autosave-status]");
  const revision = form.querySelector("input[name='revision']");
  const DELAY = 1500;
  let timer = null;
  let saving = false;
  let again = false;
  let stopped = false;

  const say = (text, problem = false) => {
    status.textContent = text;
    status.classList.toggle("kqm-autosave--problem", problem);
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
        say(`Saved at ${result.saved_at}.`);
      } else if (response.status === 409) {
        stopped = true;
        say(result.message, true);
      } else {
        say(result.message || "Not saved automatically. Use the save button.", true);
      }
    } catch (error) {
      say("Not saved automatically: check your connection, then use the save button.", true);
    }
    saving = false;
    if (again) {
      again = false;
      save();
    }
  };

  form.addEventListener("input", () => {
    if (stopped) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  });
  form.addEventListener("submit", () => {
    window.clearTimeout(timer);
    stopped = true;
  });
}

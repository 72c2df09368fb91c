// A small rich-text editor for textareas marked data-rich-text. Progressive enhancement:
// without JavaScript the textarea takes plain text (blank lines make paragraphs). With it,
// the textarea is replaced on screen by an editable area with Bold, Italic and list
// buttons, and every change is copied back into the (hidden) textarea, so the form, its
// autosave and the server's sanitiser see the same HTML.
const COMMANDS = [
  ["bold", "Bold"],
  ["italic", "Italic"],
  ["insertUnorderedList", "Bulleted list"],
  ["insertOrderedList", "Numbered list"],
];

const toHtml = (text) => {
  if (/<\s*\/?\s*[a-z]/i.test(text)) return text;
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return text
    .split(/\n\s*\n/)
    .filter((block) => block.trim())
    .map((block) => `<p>${escape(block.trim()).replace(/\n/g, "<br>")}</p>`)
    .join("");
};

document.querySelectorAll("textarea[data-rich-text]").forEach((textarea) => {
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  const editor = document.createElement("div");
  editor.className = "kqm-editor__area";
  editor.id = `${textarea.id}-editor`;
  editor.contentEditable = "true";
  editor.setAttribute("role", "textbox");
  editor.setAttribute("aria-multiline", "true");
  if (label) {
    label.id = label.id || `${textarea.id}-label`;
    editor.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", () => editor.focus());
  }
  const described = textarea.getAttribute("aria-describedby");
  if (described) editor.setAttribute("aria-describedby", described);
  editor.innerHTML = toHtml(textarea.value);

  const toolbar = document.createElement("div");
  toolbar.className = "kqm-editor__toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", `Formatting for ${label ? label.textContent.trim() : "this answer"}`);
  toolbar.setAttribute("aria-controls", editor.id);
  COMMANDS.forEach(([command, name]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary";
    button.textContent = name;
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      editor.focus();
      document.execCommand(command, false);
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    });
    toolbar.append(button);
  });

  editor.addEventListener("input", () => {
    textarea.value = editor.textContent.trim() ? editor.innerHTML : "";
  });
  editor.addEventListener("focus", () => document.execCommand("defaultParagraphSeparator", false, "p"));

  textarea.hidden = true;
  textarea.style.display = "none"; // .govuk-textarea sets display, which beats [hidden]
  textarea.after(toolbar, editor);
});

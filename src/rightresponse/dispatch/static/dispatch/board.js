// The live board pauses while a dispatcher fills in an assignment. This was an htmx trigger
// filter ("every 1s [...]"), which htmx evaluates as a string of JavaScript: the
// Content-Security-Policy (no 'unsafe-eval') refuses that, so the pause lives here.
document.addEventListener("htmx:beforeRequest", function (event) {
  var source = event.detail.elt;
  var focused = document.activeElement;
  var busy = (focused && focused.closest("form.assign, form.reclassify")) ||
    document.querySelector("#board-live details[open]");
  if (source && source.id === "board-live" && busy) {
    event.preventDefault();
  }
});

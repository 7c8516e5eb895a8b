// Errors shown next to the field they concern (`<p id="FIELD-error">` beside `#FIELD`), or in the
// page's `#error` when they concern none; as text, never HTML.
const $ = (id) => document.getElementById(id);

export function clearFieldErrors(fields) {
  for (const id of fields) {
    $(`${id}-error`).textContent = '';
    $(id).removeAttribute('aria-invalid');
  }
  $('error').textContent = '';
}

export function showFieldError(field, message) {
  (field ? $(`${field}-error`) : $('error')).textContent = message;
  if (field) $(field).setAttribute('aria-invalid', 'true');
}

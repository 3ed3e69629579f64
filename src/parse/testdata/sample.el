;;; sample.el --- fixture for the golden test

(defgroup sample nil
  "Sample customization group for the fixture."
  :group 'tools)

(defcustom sample-greeting "Hello"
  "Greeting used by `sample-greet' when greeting someone."
  :type 'string
  :group 'sample)

(defun sample-greet (name)
  "Greet NAME in the echo area with the configured greeting."
  (interactive "sName: ")
  (message "%s, %s!" sample-greeting name))

(defmacro sample-with-greeting (greeting &rest body)
  "Run BODY with `sample-greeting' bound to GREETING."
  `(let ((sample-greeting ,greeting)) ,@body))

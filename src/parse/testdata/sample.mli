(** Interface of the shapes module, used by the golden test. *)

type shape =
  | Circle of float
  | Rectangle of float * float

val area : shape -> float
(** [area s] is the surface of [s], in square units of measure. *)

val perimeter : shape -> float

open Printf

type shape =
  | Circle of float
  | Rectangle of float * float

let area shape =
  match shape with
  | Circle r -> 3.14159 *. r *. r
  | Rectangle (w, h) -> w *. h

module Stack = struct
  type 'a t = 'a list
  let empty = []
  let push x s = x :: s
end

let () = printf "%f\n" (area (Circle 2.0))

---------------------------- MODULE Sample ----------------------------
EXTENDS Naturals, Sequences

CONSTANT MaxValue
VARIABLE counter, history

Init == counter = 0 /\ history = <<>>

Increment == /\ counter < MaxValue
             /\ counter' = counter + 1
             /\ history' = Append(history, counter)

Next == Increment \/ UNCHANGED <<counter, history>>
=============================================================================

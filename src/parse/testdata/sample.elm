module Main exposing (main, view)

import Html exposing (Html, div, text)

type alias Model =
    { count : Int, name : String }

view : Model -> Html msg
view model =
    div [] [ text (model.name ++ " clicked " ++ String.fromInt model.count ++ " times") ]

main =
    view { count = 0, name = "fixture" }

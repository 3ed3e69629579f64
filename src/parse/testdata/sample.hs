module Sample where

import Data.List (sortBy)

data Shape = Circle Double | Rectangle Double Double

area :: Shape -> Double
area (Circle r) = pi * r * r
area (Rectangle w h) = w * h

sortByArea :: [Shape] -> [Shape]
sortByArea = sortBy (\a b -> compare (area a) (area b))

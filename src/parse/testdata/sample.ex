defmodule Sample.Math do
  @moduledoc "Small math helpers used by the golden test fixture."

  @spec square(number) :: number
  def square(x), do: x * x

  def sum_of_squares(list) do
    list
    |> Enum.map(&square/1)
    |> Enum.sum()
  end

  defp helper(value) when is_integer(value) do
    value + 1
  end
end

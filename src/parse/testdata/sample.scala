package sample

import scala.collection.mutable

trait Shape { def area: Double }

case class Circle(radius: Double) extends Shape {
  def area: Double = math.Pi * radius * radius
}

object Main {
  def main(args: Array[String]): Unit = println(Circle(2.0).area)
}

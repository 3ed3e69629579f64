package sample

import kotlin.math.sqrt

data class Point(val x: Double, val y: Double) {
    fun distanceTo(other: Point): Double {
        val dx = x - other.x
        val dy = y - other.y
        return sqrt(dx * dx + dy * dy)
    }

    companion object {
        val ORIGIN = Point(0.0, 0.0)
    }
}

object Registry {
    private val points = mutableListOf<Point>()
    fun register(point: Point) { points.add(point) }
}

typealias PointList = List<Point>

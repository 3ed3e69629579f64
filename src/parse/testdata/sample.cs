using System;
using System.Collections.Generic;

namespace Sample.App
{
    public interface IGreeter
    {
        string Greet(string name);
    }

    [Serializable]
    public class Greeter : IGreeter
    {
        public string Prefix { get; set; } = "Hello";

        public string Greet(string name)
        {
            return Prefix + ", " + name + "! Nice to meet you today.";
        }
    }

    public enum Mood { Happy, Sad, Indifferent, Curious, Sleepy }

    public record Person(string First, string Last, int Age);
}

<?php
namespace App\Models;

use Illuminate\Support\Collection;

interface HasName
{
    public function name(): string;
}

class User implements HasName
{
    public function __construct(private string $first, private string $last) {}

    public function name(): string
    {
        return $this->first . ' ' . $this->last . ' (registered user)';
    }
}

function greet(User $user): string
{
    return "Hello, " . $user->name() . "! Welcome back to the site.";
}

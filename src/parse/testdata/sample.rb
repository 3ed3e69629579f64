require "json"
require_relative "helper"

# A bank account with a balance.
module Banking
  class Account
    attr_reader :owner, :balance
    include Comparable

    def initialize(owner, balance = 0)
      @owner = owner
      @balance = balance
    end

    def deposit(amount)
      raise ArgumentError, "amount must be positive" unless amount.positive?
      @balance += amount
    end

    def self.open_for(owner)
      new(owner).tap { |account| account.deposit(1) }
    end
  end
end

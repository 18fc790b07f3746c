-- A resident's birth date (optional): the console shows the age from it.
ALTER TABLE residents ADD COLUMN birth_date date;
